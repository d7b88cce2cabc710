/* Host unit tests: the test defines arch_s2_flush_all() (it counts calls). */
#ifndef FAKE_ARCH_STAGE2_H
#define FAKE_ARCH_STAGE2_H

void arch_s2_flush_all(void);

#endif /* FAKE_ARCH_STAGE2_H */
