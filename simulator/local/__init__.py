"""The embedded local AWS endpoint: moto's server, started by our launcher, mended by our fidelity layer."""
