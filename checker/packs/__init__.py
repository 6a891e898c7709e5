"""Rule packs: reading pack files, compiling their rules, pack tests, docs and scaffolding."""
