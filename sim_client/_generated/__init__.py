# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
"""The code generated from openapi/sim-integrations.beta.yaml: attrs models and the operations table."""
