"""What the deals app plugs into lower apps' registries (metrics, hooks, portal widgets)."""
