"""Group pools, join ways, routing new customers into groups, and group health."""
