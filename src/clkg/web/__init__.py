"""``clkg serve``: the graph in a web browser, a SPARQL endpoint and resolvable IRIs.

Modules: :mod:`~clkg.web.app` (routes), :mod:`~clkg.web.runner` (store work in worker
processes with a time limit), :mod:`~clkg.web.tasks` (what the workers do), the page modules
(:mod:`~clkg.web.pages`, :mod:`~clkg.web.questions`, :mod:`~clkg.web.plots`,
:mod:`~clkg.web.sparql`, :mod:`~clkg.web.linked`, :mod:`~clkg.web.docs`) and
:mod:`~clkg.web.command` (the ``serve`` and ``docs`` commands).
"""
