"""What a build keeps between builds: parsed notes, rendered rows and pages."""
