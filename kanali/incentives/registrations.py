"""What the incentives app plugs into lower apps' registries (metrics, hooks, portal widgets)."""
