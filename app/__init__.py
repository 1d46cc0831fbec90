"""The application on top of the listings: the command line, the table of sections, `all`, `report` and
`bench`. The only package that knows every section; `python -m tf1_ae` starts it."""
