"""arXiv's export API: asking it (``api``) and reading its Atom answers into typed records (``atom``)."""
