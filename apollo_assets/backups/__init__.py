"""The backup bucket: which backups are complete, the partitions they become, and the sensor that reacts to them."""
