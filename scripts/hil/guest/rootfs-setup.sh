#!/bin/sh
# Runs once in a chroot of the freshly debootstrapped root file system of the systemd guest
# (scripts/hil/run.sh caches the result). Makes it boot fast with no network, and adds the unit
# that runs the tests at every boot: hil-tests.service runs /run/hil/systemd.sh from the
# run's files, a tar archive on the second disk (/dev/vdb).
set -eu

echo venueguard-hil >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 venueguard-hil\n' >/etc/hosts
printf '/dev/vda / ext4 rw,noatime 0 1\n' >/etc/fstab
systemd-machine-id-setup

# No network, no console logins, no periodic jobs: nothing but the system and the tests.
# (Under TCG every unit started at boot costs seconds.)
for unit in getty@tty1.service serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service dpkg-db-backup.timer \
    systemd-networkd.service systemd-resolved.service systemd-logind.service systemd-update-utmp.service \
    systemd-update-utmp-runlevel.service systemd-journal-flush.service systemd-pstore.service \
    dev-hugepages.mount dev-mqueue.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
    modprobe@drm.service modprobe@dm_mod.service modprobe@efi_pstore.service modprobe@fuse.service \
    modprobe@loop.service systemd-tmpfiles-clean.timer; do
    systemctl mask "$unit" >/dev/null 2>&1 || true
done
systemctl set-default multi-user.target

# The journal stays in memory (the guest's disk is thrown away anyway).
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\n' >/etc/systemd/journald.conf.d/hil.conf

# A crashing daemon leaves a core dump in /var/lib/hil-cores (the host takes it out and prints
# a backtrace): the kernel pipes it to hil-savecore, running as root outside the sandbox.
mkdir -p /var/lib/hil-cores /etc/systemd/system.conf.d
cat >/usr/local/sbin/hil-savecore <<'EOF'
#!/bin/sh
# hil-savecore PID NAME SIGNAL: a core dump from the kernel (kernel.core_pattern), on standard
# input. SIGABRT is the watchdog's kill of the frozen daemon, expected: not kept.
[ "$3" != 6 ] || exec cat >/dev/null
exec cat >"/var/lib/hil-cores/core.$2.$1.signal$3"
EOF
chmod 0755 /usr/local/sbin/hil-savecore
printf 'kernel.core_pattern=|/usr/local/sbin/hil-savecore %%p %%e %%s\n' >/etc/sysctl.d/50-hil-core.conf
printf '[Manager]\nDefaultLimitCORE=infinity\n' >/etc/systemd/system.conf.d/hil-core.conf

cat >/etc/systemd/system/hil-tests.service <<'EOF'
[Unit]
Description=VenueGuard HIL tests (make hil)
After=systemd-udevd.service systemd-udev-trigger.service local-fs.target dbus.service
Wants=dbus.service

[Service]
Type=simple
ExecStart=/bin/sh -c 'mkdir -p /run/hil && tar -xf /dev/vdb -C /run/hil && exec /bin/sh /run/hil/systemd.sh'
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
systemctl enable hil-tests.service

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
