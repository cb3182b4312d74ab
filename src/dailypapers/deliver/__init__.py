"""Delivery: send what the renderers produced (files, mail, webhook posts); nothing here renders."""
