"""Live codes, acquisition campaigns and package-insert sticker batches."""
