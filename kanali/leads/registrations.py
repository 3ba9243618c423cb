"""What the leads app plugs into lower apps' registries (metrics, hooks, portal widgets)."""
