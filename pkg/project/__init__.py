"""The app's project, read as its build backend sees it: metadata, identity (what is shipped), license,
the wheel's files."""
