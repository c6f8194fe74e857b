def run() -> str:
    return "hello from a plugin"
