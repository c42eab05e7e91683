"""The build (read, model, insights, render, write), the page writer, the watcher."""
