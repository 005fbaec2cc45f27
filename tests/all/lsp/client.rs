//! A small LSP client, as an editor drives a server: `kpi lsp` as a child process, JSON-RPC
//! messages framed by `Content-Length` headers on its standard input and output.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    /// The lines the server wrote on standard error.
    pub log: Arc<Mutex<Vec<String>>>,
    next_id: i64,
}

const WAIT: Duration = Duration::from_secs(60);

/// The `file:` URI of a path (the test paths are plain ASCII).
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A fresh folder under the system's temporary folder, with these files.
pub fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kpi-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

impl Client {
    /// Start `kpi lsp` (or the binary `KPI_BIN` names) and initialize it.
    pub fn start() -> Client {
        let bin = std::env::var("KPI_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_kpi").into());
        let mut child = Command::new(bin)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kpi lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming,
            notifications: Vec::new(),
            log,
            next_id: 0,
        };
        let caps = json!({
            "textDocument": { "completion": { "completionItem": { "snippetSupport": false } } }
        });
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": caps }),
        );
        assert!(
            init["capabilities"]["hoverProvider"].as_bool().unwrap(),
            "{init}"
        );
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and wait for its answer: the result, or the error object.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.next_message();
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return match msg.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(msg["result"].clone()),
                };
            }
            self.notifications.push(msg);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.call(method, params)
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    fn next_message(&mut self) -> Value {
        self.incoming
            .recv_timeout(WAIT)
            .expect("kpi lsp answers within a minute")
    }

    pub fn open(&mut self, path: &Path, version: i32) {
        let text = std::fs::read_to_string(path).unwrap();
        self.open_text(path, &text, version);
    }

    pub fn open_text(&mut self, path: &Path, text: &str, version: i32) {
        let lang = if path.extension().unwrap() == "kpi" {
            "kpi"
        } else {
            "yaml"
        };
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri(path), "languageId": lang, "version": version, "text": text
            } }),
        );
    }

    /// Replace the whole text of an open document.
    pub fn change(&mut self, path: &Path, text: &str, version: i32) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(path), "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    /// Insert `text` at (line, character) of an open document.
    pub fn insert(&mut self, path: &Path, line: u32, character: u32, text: &str, version: i32) {
        let at = json!({ "line": line, "character": character });
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(path), "version": version },
                "contentChanges": [{ "range": { "start": at, "end": at }, "text": text }]
            }),
        );
    }

    /// The next diagnostics published for `path` (after those already received).
    pub fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        let want = uri(path);
        let deadline = Instant::now() + WAIT;
        loop {
            let pos = self.notifications.iter().position(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == want
            });
            if let Some(i) = pos {
                let m = self.notifications.remove(i);
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            assert!(Instant::now() < deadline, "no diagnostics for {want}");
            let msg = self.next_message();
            self.notifications.push(msg);
        }
    }

    /// Forget the notifications received so far.
    pub fn drain(&mut self) {
        while let Ok(m) = self.incoming.recv_timeout(Duration::from_millis(300)) {
            self.notifications.push(m);
        }
        self.notifications.clear();
    }

    /// A request about a place in a document.
    pub fn at(&mut self, method: &str, path: &Path, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({
                "textDocument": { "uri": uri(path) },
                "position": { "line": line, "character": character },
                "context": { "includeDeclaration": true }
            }),
        )
    }

    /// The processor time the server used so far, in seconds (Linux; `None` elsewhere): user
    /// and system time from `/proc`, in ticks of 1/100 s.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command name (in brackets): utime and stime are 14th and 15th.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }

    /// Shut the server down as an editor does; its exit code.
    pub fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "kpi lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The line and character of the first occurrence of `needle` in `text` (ASCII text).
pub fn find(text: &str, needle: &str) -> (u32, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {text}"));
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line as u32, col as u32)
}
