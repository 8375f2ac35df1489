"""The admin app: the Flask app, one blueprint module per feature, answers and request checks."""
