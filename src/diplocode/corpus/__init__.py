"""Reading, normalising, language detection, segmentation and ingestion of sources."""
