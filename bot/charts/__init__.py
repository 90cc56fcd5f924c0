"""Charts drawn as PNG bytes (matplotlib, imported only when a chart is drawn)."""
