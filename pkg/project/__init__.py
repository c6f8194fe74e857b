"""The app's project, read as its build backend sees it: metadata, identity (what is shipped), licence,
the wheel's files."""
