/* SPDX-License-Identifier: MIT */
/*
 * VMIDs: the stage-2 tag of a VM's TLB entries. 8-bit VMIDs, 1..255;
 * 0 is the host's and never handed out.
 */
#ifndef ZVM_VMID_H
#define ZVM_VMID_H

/**
 * A free VMID, 1..255, or 0 when all are in use. VMIDs are handed out
 * round robin, so a freed one is reused as late as possible.
 */
int vmid_alloc(void);

/**
 * Give vmid back. Its TLB entries must already be invalidated
 * (arch_s2_flush_vmid) so that the next owner starts clean.
 */
void vmid_free(int vmid);

#endif /* ZVM_VMID_H */
