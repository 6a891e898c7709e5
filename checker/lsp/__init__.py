"""The language server (`contract-checker lsp`): pack files and contracts in an editor."""
