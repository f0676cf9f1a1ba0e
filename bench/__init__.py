"""The benchmark of tidings (``make bench``): update against reader, pages, scale.

Modules: ``farm`` (feed files), ``nginx`` (the farm's server), ``tidings_side`` and
``reader_side``/``reader_runner`` (the two aggregators), ``floor``/``floor_runner`` (aiohttp and
lxml alone), ``update``, ``steady`` (the server's CPU per feed check), ``cpuprofile``/
``profile_runner`` (where an update's CPU time goes), ``pagedb`` and ``pages``, ``scale``,
``report`` (docs/performance.md) and ``run`` (the command line).
"""
