# SPDX-License-Identifier: MIT
# Rockchip RK3588 (Radxa ROCK 5B, Orange Pi 5 Plus, NanoPC-T6, ...): 4x
# Cortex-A55 (CPUs 0-3, MPIDR 0x000-0x300) and 4x Cortex-A76 (CPUs 4-7,
# MPIDR 0x400-0x700), GIC-600 with ITS (unused). DRAM above 4 GiB is found
# but only the first bank is used. `make PLATFORM=rk3588` builds
# build/rk3588/boot/ for U-Boot (docs/porting.md).
include mk/rockchip-common.mk
# UART2, the debug console (rk3588s.dtsi: serial@feb50000).
EARLY_UART := 0xfeb50000
BOARD_DTB  ?= rockchip/rk3588-rock-5b.dtb
