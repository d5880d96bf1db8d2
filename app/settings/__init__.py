"""Display settings anyone can change from the page header."""
