"""Task links and their videos' counts from YouTube, TikTok and Douyin (pages, APIs, egresses)."""
