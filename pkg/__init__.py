"""The release pipeline, one module per stage; run a stage with `python -m pkg <stage>`."""
