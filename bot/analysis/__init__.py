"""Pure text analysis: normalisation, language detection and keyword matching. No IO."""
