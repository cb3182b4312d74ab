"""The runs: each composes the stages (fetch, store, match, render, deliver) for one command."""
