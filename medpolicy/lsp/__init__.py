"""Editor support: ``medpolicy lsp``, a language server for ``.mpol`` files.

:mod:`~medpolicy.lsp.analysis` checks a buffer, :mod:`~medpolicy.lsp.index`
finds what each name means, :mod:`~medpolicy.lsp.features` answers hover,
go-to-definition, completion and formatting as plain data, and
:mod:`~medpolicy.lsp.server` speaks the protocol (it alone needs pygls, the
``lsp`` extra).  Editor set-up: ``editors/README.md``.
"""
