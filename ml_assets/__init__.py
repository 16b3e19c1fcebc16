"""Models trained on the warehouse marts, registered for the Data & ML service."""
