"""The masking policy: its model, its YAML files, field paths, the action each leaf gets, and drafts from data."""
