"""Design: the source (inventory + policy) read, validated and allocated into the intended state of every device."""
