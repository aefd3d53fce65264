"""Second Act's data model: plain records and the SQLAlchemy tables behind them."""
