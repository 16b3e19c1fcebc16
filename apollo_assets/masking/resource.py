from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from apollo_assets.masking.tokens.key import MaskingKey


class MaskingKeyResource(dg.ConfigurableResource):
    """The HMAC key of the pseudonyms. In prod it is `dg.EnvVar("APOLLO_MASKING_KEY")`; locally it may be absent,
    and then a random key is created once under the data dir (owner-only permissions)."""

    data_dir: str
    env: str = "local"
    key: str | None = None

    def load(self) -> "MaskingKey":
        from apollo_assets.masking.tokens.key import load_masking_key

        return load_masking_key(data_dir=self.data_dir, env=self.env, value=self.key)
