// The kpi extension: starts `kpi lsp` for `.kpi` files and catalogue YAML, and gives the
// YAML extension (redhat.vscode-yaml, when installed) the JSON Schema that `kpi schema`
// prints, for the same files. Plain JavaScript: `npm install` is the only step.
'use strict';

const vscode = require('vscode');
const { execFile } = require('child_process');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration('kpi');
  const command = config.get('path') || 'kpi';
  const yamlFiles = config.get('catalogueFiles') || '**/kpis/*.{yaml,yml}';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'kpi' },
      { scheme: 'file', language: 'yaml', pattern: yamlFiles },
    ],
    // Files changed outside the editor (a git checkout) are checked again.
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{kpi,yaml,yml}'),
    },
  };
  client = new LanguageClient('kpi', 'kpi', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(
      `kpi: cannot start \`${command} lsp\` (${e.message || e}). Set "kpi.path" to the kpi binary.`
    );
    return;
  }
  await associateSchema(command, yamlFiles);
}

/// The catalogue schema, from `kpi schema`, for the YAML extension's completion and checks.
async function associateSchema(command, yamlFiles) {
  const yaml = vscode.extensions.getExtension('redhat.vscode-yaml');
  if (!yaml) {
    return;
  }
  const api = await yaml.activate();
  if (!api || typeof api.registerContributor !== 'function') {
    return;
  }
  const schema = await new Promise((resolve) =>
    execFile(command, ['schema'], (err, stdout) => resolve(err ? null : stdout))
  );
  if (!schema) {
    return;
  }
  const scheme = 'kpi-schema';
  const isCatalogue = (resource) => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource);
    return doc !== undefined && vscode.languages.match({ pattern: yamlFiles }, doc) > 0;
  };
  api.registerContributor(
    scheme,
    (resource) => (isCatalogue(resource) ? `${scheme}://kpi/catalogue.schema.json` : undefined),
    () => schema
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
