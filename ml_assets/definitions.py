"""Model assets: retrained per backup partition on that backup's warehouse tables, registered for the service.

Wiring (apollo_assets/definitions.py, resources.py) imports `model_assets` and `ModelRegistryResource` from here."""

from ml_assets.reply_propensity.asset import reply_propensity_model
from ml_assets.resource import ModelRegistryResource
from ml_assets.similar_companies.asset import similar_companies_model

model_assets = [reply_propensity_model, similar_companies_model]

__all__ = ["ModelRegistryResource", "model_assets", "reply_propensity_model", "similar_companies_model"]
