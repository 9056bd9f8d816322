"""Mountain Atlas: the data, maps and snapshots behind the dashboard.

``geo`` is a plain library: nothing here imports Streamlit except :mod:`geo.ui`.
"""

__version__ = "0.1.0"
