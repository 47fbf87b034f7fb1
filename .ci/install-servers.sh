#!/usr/bin/env bash
# Installs the real SMTP servers the interop tests start on loopback: Postfix (with Dovecot for
# SASL) and aiosmtpd, from Debian's packages, plus openssl for the throwaway CA, dnsmasq as
# the DNS server of the routing tests, and GNU time (/usr/bin/time, the bench's peak-RSS and CPU
# figures; the suite runs the bench scaled down). Postfix also brings the bench's smtp-sink and
# smtp-source. Idempotent and
# quick when everything is already there. Needs root.
set -euo pipefail
need=()
for pkg in postfix dovecot-core python3-aiosmtpd openssl dnsmasq-base time; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string smtpure.test" | debconf-set-selections
  # Keep the packages' own services from starting: the tests run their own instances.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
# A system instance (if one was started anyway) would only get in the way.
postfix stop >/dev/null 2>&1 || true
doveadm stop >/dev/null 2>&1 || true
