"""What every phase shares: configuration, the artifact model, file names, targets, versions, and the
helpers that keep writes atomic and tool runs logged."""
