"""Shared test helpers: config dirs pointing at a simulator, a tmux driver, TLS and loopback servers, Pilot waits."""
