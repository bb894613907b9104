#!/bin/sh
# Steady demo load for the compose stack: about 10 requests a second across the example's
# routes, including failures (/fail), cached catalog reads, slow reports, searches, orders and
# upstream calls.
set -u
TARGET="${TARGET:-http://shop-api:8080}"
i=0
while true; do
  i=$((i + 1))
  id=$((i % 20 + 1))
  curl -s -o /dev/null "$TARGET/products"
  curl -s -o /dev/null "$TARGET/products/$id"
  curl -s -o /dev/null "$TARGET/catalog/products?page=$((i % 3 + 1))"
  curl -s -o /dev/null "$TARGET/catalog/products/$((i % 10 + 1))"
  curl -s -o /dev/null "$TARGET/products/search?q=item%20$((i % 9 + 1))"
  curl -s -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"load@example.test\",\"items\":[{\"productId\":$id,\"quantity\":1}]}" "$TARGET/orders"
  if [ $((i % 5)) -eq 0 ]; then curl -s -o /dev/null "$TARGET/fail"; fi
  if [ $((i % 10)) -eq 0 ]; then curl -s -o /dev/null "$TARGET/reports/slow"; fi
  if [ $((i % 10)) -eq 5 ]; then curl -s -o /dev/null "$TARGET/upstream"; fi
  if [ $((i % 7)) -eq 0 ]; then curl -s -o /dev/null "$TARGET/products/999999"; fi
  sleep 0.5
done
