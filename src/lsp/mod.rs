//! `kpi lsp`: the Language Server Protocol over standard input and output, for `.kpi` files
//! and catalogue YAML. One thread answers the messages in order (`lsp-server` reads and
//! writes them on threads of its own); the work per message is milliseconds, so there is no async
//! runtime and no cancellation to manage. Edits only mark their catalogue folder; it is
//! loaded and checked again once no message is waiting (or when a request needs it), so a
//! burst of keystrokes costs one check.

mod complete;
mod context;
mod diagnostics;
mod format;
mod hover;
mod lex;
mod nav;
mod shift;
mod symbols;
mod text;
mod tokens;
mod workspace;
mod yaml_load;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, OneOf,
    PositionEncodingKind, RenameOptions, SaveOptions, SemanticTokensFullOptions,
    SemanticTokensOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::Instant;
use text::uri_to_path;
use workspace::{OpenDoc, Snapshot, Workspace};

/// Serve the protocol on standard input and output until the editor says `exit`.
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let caps = serde_json::to_value(capabilities()).unwrap_or_default();
    if let Err(e) = conn.initialize(caps) {
        eprintln!("kpi lsp: {e}");
        return 1;
    }
    let mut server = Server {
        conn,
        ws: Workspace::default(),
    };
    let code = server.serve();
    drop(server);
    if let Err(e) = io.join() {
        eprintln!("kpi lsp: {e}");
    }
    code
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "(".into(), "@".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(true.into()),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        semantic_tokens_provider: Some(
            SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            }
            .into(),
        ),
        ..ServerCapabilities::default()
    }
}

struct Server {
    conn: Connection,
    ws: Workspace,
}

/// A request's answer, or the error to send back.
type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    fn serve(&mut self) -> i32 {
        loop {
            // Check what was edited once no message waits: a burst of edits is one check.
            let msg = if self.ws.folders.values().any(|f| f.dirty || f.unpublished) {
                match self.conn.receiver.try_recv() {
                    Ok(m) => m,
                    Err(e) if e.is_empty() => {
                        self.flush();
                        continue;
                    }
                    Err(_) => return 1,
                }
            } else {
                match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return 1,
                }
            };
            match msg {
                Message::Request(req) => {
                    match self.conn.handle_shutdown(&req) {
                        Ok(true) => return 0,
                        Ok(false) => {}
                        Err(e) => {
                            eprintln!("kpi lsp: {e}");
                            return 1;
                        }
                    }
                    let id = req.id.clone();
                    let method = req.method.clone();
                    // A last resort: a bug must cost one answer, never the server.
                    let answer = catch_unwind(AssertUnwindSafe(|| self.request(req)))
                        .unwrap_or_else(|_| {
                            Err((
                                ErrorCode::InternalError,
                                format!("kpi lsp failed on {method}"),
                            ))
                        });
                    let resp = match answer {
                        Ok(v) => Response::new_ok(id, v),
                        Err((code, text)) => Response::new_err(id, code as i32, text),
                    };
                    self.send(resp.into());
                }
                Message::Notification(n) if n.method == "exit" => return 1,
                Message::Notification(n) => {
                    let method = n.method.clone();
                    if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                        eprintln!("kpi lsp: failed on {method}");
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) {
        let _ = self.conn.sender.send(msg);
    }

    fn publish(&self, params: lsp_types::PublishDiagnosticsParams) {
        let params = serde_json::to_value(params).unwrap_or_default();
        let n = Notification::new("textDocument/publishDiagnostics".into(), params);
        self.send(n.into());
    }

    /// Check the folders edited since, and publish their diagnostics.
    fn flush(&mut self) {
        let dirs: Vec<PathBuf> = self.ws.folders.keys().cloned().collect();
        for dir in dirs {
            let started = Instant::now();
            let rebuilt = self.ws.folders.get(&dir).is_some_and(|f| f.dirty);
            let ok = catch_unwind(AssertUnwindSafe(|| {
                self.ws.snapshot(&dir);
            }));
            let Some(folder) = self.ws.folders.get_mut(&dir) else {
                continue;
            };
            if ok.is_err() {
                eprintln!("kpi lsp: failed to check {}", dir.display());
                folder.dirty = false;
            }
            if !folder.unpublished {
                continue;
            }
            folder.unpublished = false;
            let snap = &folder.snap;
            let lists = diagnostics::by_file(snap);
            let now: Vec<Uri> = lists.iter().map(|(u, _)| u.clone()).collect();
            let gone: Vec<Uri> = folder
                .published
                .iter()
                .filter(|u| !now.contains(u))
                .cloned()
                .collect();
            folder.published = now;
            if rebuilt {
                eprintln!(
                    "kpi lsp: checked {} ({} KPIs, {} diagnostics) in {:.1} ms: {}",
                    dir.display(),
                    snap.cat.kpis.len(),
                    snap.diags.len(),
                    started.elapsed().as_secs_f64() * 1000.0,
                    folder.timing
                );
            }
            let versions: Vec<Option<i32>> = lists
                .iter()
                .map(|(u, _)| {
                    let path = uri_to_path(u)?;
                    self.ws.open.get(&path).map(|d| d.version)
                })
                .collect();
            for ((uri, diagnostics), version) in lists.into_iter().zip(versions) {
                let params = lsp_types::PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version,
                };
                self.publish(params);
            }
            for uri in gone {
                let params = lsp_types::PublishDiagnosticsParams {
                    uri,
                    diagnostics: vec![],
                    version: None,
                };
                self.publish(params);
            }
        }
    }

    fn notification(&mut self, n: Notification) {
        let p = &n.params;
        let uri = || -> Option<(Uri, PathBuf)> {
            let uri: Uri = serde_json::from_value(p["textDocument"]["uri"].clone()).ok()?;
            let path = uri_to_path(&uri)?;
            Some((uri, path))
        };
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Some((uri, path)) = uri() else { return };
                let text = p["textDocument"]["text"].as_str().unwrap_or("").to_string();
                let version = p["textDocument"]["version"].as_i64().unwrap_or(0) as i32;
                self.ws
                    .open
                    .insert(path.clone(), OpenDoc { uri, text, version });
                self.ws.touch(&path);
            }
            "textDocument/didChange" => {
                let Some((_, path)) = uri() else { return };
                let Ok(params) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let Some(doc) = self.ws.open.get_mut(&path) else {
                    return;
                };
                for change in params.content_changes {
                    text::apply_change(&mut doc.text, change);
                }
                doc.version = params.text_document.version;
                self.ws.touch(&path);
            }
            "textDocument/didClose" => {
                let Some((_, path)) = uri() else { return };
                self.ws.open.remove(&path);
                self.ws.touch(&path);
            }
            "textDocument/didSave" => {
                if let Some((_, path)) = uri() {
                    self.ws.touch(&path);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let changes = p["changes"].as_array().cloned().unwrap_or_default();
                for c in changes {
                    let Ok(uri) = serde_json::from_value::<Uri>(c["uri"].clone()) else {
                        continue;
                    };
                    let Some(path) = uri_to_path(&uri) else {
                        continue;
                    };
                    if self.ws.folders.contains_key(&Workspace::folder_of(&path)) {
                        self.ws.touch(&path);
                    }
                }
            }
            _ => {}
        }
    }

    /// The snapshot of the document a request names, the file's id, and the byte offset of
    /// its `position` (when it has one).
    fn at(&mut self, p: &Value) -> Option<(&Snapshot, crate::span::FileId, usize)> {
        let uri: Uri = serde_json::from_value(p["textDocument"]["uri"].clone()).ok()?;
        let path = uri_to_path(&uri)?;
        let (snap, file) = self.ws.snapshot_of(&path)?;
        let slot = snap.slot(file);
        let offset = match serde_json::from_value::<lsp_types::Position>(p["position"].clone()) {
            Ok(pos) => slot.lines.offset(&slot.text, pos),
            Err(_) => 0,
        };
        Some((snap, file, offset))
    }

    fn request(&mut self, req: Request) -> Answer {
        let p = req.params;
        let json = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        let Some((snap, file, offset)) = self.at(&p) else {
            let known = KNOWN.contains(&req.method.as_str());
            return if known {
                Ok(Value::Null)
            } else {
                Err((
                    ErrorCode::MethodNotFound,
                    format!("kpi lsp does not answer {}", req.method),
                ))
            };
        };
        match req.method.as_str() {
            "textDocument/completion" => {
                json(serde_json::to_value(complete::complete(snap, file, offset)))
            }
            "textDocument/hover" => json(serde_json::to_value(hover::hover(snap, file, offset))),
            "textDocument/definition" => {
                json(serde_json::to_value(nav::definition(snap, file, offset)))
            }
            "textDocument/references" => {
                let with_decl = p["context"]["includeDeclaration"].as_bool().unwrap_or(true);
                json(serde_json::to_value(nav::references(
                    snap, file, offset, with_decl,
                )))
            }
            "textDocument/prepareRename" => json(serde_json::to_value(nav::prepare_rename(
                snap, file, offset,
            ))),
            "textDocument/rename" => {
                let new_name = p["newName"].as_str().unwrap_or("");
                match nav::rename(snap, file, offset, new_name) {
                    Ok(edit) => json(serde_json::to_value(edit)),
                    Err(e) => Err((ErrorCode::RequestFailed, e)),
                }
            }
            "textDocument/formatting" => json(serde_json::to_value(format::format(snap, file))),
            "textDocument/codeAction" => {
                let range: lsp_types::Range =
                    serde_json::from_value(p["range"].clone()).unwrap_or_default();
                json(serde_json::to_value(diagnostics::quick_fixes(
                    snap, file, range,
                )))
            }
            "textDocument/semanticTokens/full" => {
                json(serde_json::to_value(tokens::tokens(snap, file)))
            }
            m => Err((
                ErrorCode::MethodNotFound,
                format!("kpi lsp does not answer {m}"),
            )),
        }
    }
}

/// The requests answered (with nothing, for a document outside any catalogue).
const KNOWN: &[&str] = &[
    "textDocument/completion",
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/formatting",
    "textDocument/codeAction",
    "textDocument/semanticTokens/full",
];
