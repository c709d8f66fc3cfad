// The exec trampoline: a complete, tiny static ELF executable, kept as read-only data inside taurun.
//
// Why: every process that enters a container starts as a clone of taurun, so until its final execve its
// /proc/self/exe is the host's taurun binary. If the container's program is `/proc/self/exe` itself, or a script
// whose interpreter is `#!/proc/self/exe`, the kernel would run the host's taurun inside the container, and a
// second container process could reopen it through /proc/<pid>/exe for writing once it exits (CVE-2019-5736).
// So taurun never execs the container's program directly: it copies this image (a few hundred bytes) into a
// sealed memfd and execs that, and the trampoline execs the program. From the trampoline's first instruction on,
// /proc/self/exe is the sealed memfd: resolving it runs the trampoline again, never taurun, and the memfd
// cannot be written (F_SEAL_WRITE) and lives on no host filesystem.
//
// Contract: argv[0] says what to do; the environment is passed through unchanged to the program.
//   ["taurun-exec", PATH, ARGV...]       execve(PATH, ARGV, envp).
//   ["taurun-wait", FD, PATH, ARGV...]   read one byte from FD (the exec fifo: `start`), close FD, then as above;
//                                        EOF or an error exits 1. The container's init waits for `start` this way,
//                                        so even in `created` it never has taurun behind /proc/1/exe.
//   ["taurun-spawn", FD, PATH, ARGV...]  clone(CLONE_PARENT | SIGCHLD) a sibling, born in the pid namespace the
//                                        caller joined for its children, which closes FD, starts a session of its
//                                        own (setsid) and execs as above ("taurun-spawn-tty": and makes the pty on
//                                        its stdin its controlling terminal, TIOCSCTTY); the
//                                        trampoline writes 'p' and the sibling's pid (4 bytes, little-endian) to FD
//                                        and exits 0 (1 if clone fails). `exec` enters containers this way: the
//                                        process that does the setup stays outside the container's pid namespace.
// Any other argv[0] means it was started some other way (the kernel runs a `#!/proc/self/exe` script with
// argv[0] = "/proc/self/exe"), and it refuses with exit 127 instead of looping through itself. If execve fails it
// writes "taurun: exec PATH: REASON" to stderr and exits 126 for EACCES (permission denied) and 127 otherwise, the
// codes and texts Podman maps. Only raw system calls: no libc, no relocations, no writable data.

#if defined(__x86_64__) || defined(__aarch64__)

#if defined(__x86_64__)
#define TR_MACHINE 62          /* EM_X86_64 */
#else
#define TR_MACHINE 183         /* EM_AARCH64 */
#endif
#define TR_BASE 0x10000000     /* load address of the image (ET_EXEC, no relocation) */

    .section .rodata.tr_exec_trampoline, "a"
    .balign 16
    .globl tr_exec_trampoline_image
    .globl tr_exec_trampoline_end
    .hidden tr_exec_trampoline_image
    .hidden tr_exec_trampoline_end

tr_exec_trampoline_image:
// ELF64 header.
    .byte 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */, 0 /* SysV ABI */
    .quad 0
    .short 2                                    // e_type: ET_EXEC
    .short TR_MACHINE                           // e_machine
    .long 1                                     // e_version
    .quad TR_BASE + (.Lcode - tr_exec_trampoline_image)   // e_entry
    .quad .Lphdr - tr_exec_trampoline_image     // e_phoff
    .quad 0                                     // e_shoff: no sections
    .long 0                                     // e_flags
    .short 64                                   // e_ehsize
    .short 56                                   // e_phentsize
    .short 1                                    // e_phnum
    .short 0, 0, 0                              // e_shentsize, e_shnum, e_shstrndx
// One PT_LOAD segment, read + execute, covering the whole image.
.Lphdr:
    .long 1                                     // p_type: PT_LOAD
    .long 5                                     // p_flags: PF_R | PF_X
    .quad 0                                     // p_offset
    .quad TR_BASE                               // p_vaddr
    .quad TR_BASE                               // p_paddr
    .quad tr_exec_trampoline_end - tr_exec_trampoline_image   // p_filesz
    .quad tr_exec_trampoline_end - tr_exec_trampoline_image   // p_memsz
    .quad 0x1000                                // p_align

.Lcode:
#if defined(__x86_64__)
    // At entry: (%rsp) = argc, then argv[0..argc-1], NULL, envp..., NULL.
    mov     (%rsp), %r15                        // argc
    lea     8(%rsp), %rbx                       // argv
    lea     16(%rsp,%r15,8), %rbp               // envp: past argv's NULL
    sub     $16, %rsp                           // scratch: one byte read, five bytes written
    cmp     $2, %r15
    jb      .Lrefuse
    lea     .Lmarker_exec(%rip), %rdi
    call    .Lis_marker
    je      .Lexec_plain
    cmp     $3, %r15
    jb      .Lrefuse
    mov     8(%rbx), %rsi                       // argv[1]: the fd, in decimal
    call    .Latoi
    mov     %eax, %r14d
    lea     .Lmarker_wait(%rip), %rdi
    call    .Lis_marker
    je      .Lwait
    xor     %r13d, %r13d                        // 1: the sibling takes the terminal on fd 0
    lea     .Lmarker_spawn(%rip), %rdi
    call    .Lis_marker
    je      .Lspawn
    mov     $1, %r13d
    lea     .Lmarker_spawn_tty(%rip), %rdi
    call    .Lis_marker
    je      .Lspawn
    jmp     .Lrefuse

.Lexec_plain:                                   // ["taurun-exec", path, argv...]
    add     $8, %rbx
    jmp     .Lexecve

.Lwait:                                         // ["taurun-wait", fd, path, argv...]: one byte on fd, then exec
    mov     %r14d, %edi
    mov     %rsp, %rsi
    mov     $1, %edx
    xor     %eax, %eax                          // read
    syscall
    cmp     $-4, %rax                           // EINTR
    je      .Lwait
    cmp     $1, %rax
    jne     .Lexit_one
    call    .Lclose_fd
    add     $16, %rbx
    jmp     .Lexecve

.Lspawn:                                        // ["taurun-spawn", fd, path, argv...]: a sibling runs it
    mov     $0x8011, %edi                       // CLONE_PARENT | SIGCHLD
    xor     %esi, %esi                          // no new stack: a copy of ours, as fork
    xor     %edx, %edx
    xor     %r10d, %r10d
    xor     %r8d, %r8d
    mov     $56, %eax                           // clone
    syscall
    test    %rax, %rax
    js      .Lexit_one
    jnz     .Lspawned
    call    .Lclose_fd                          // the child: the fd is the runtime's, not the program's
    mov     $112, %eax                          // setsid: a session of its own
    syscall
    test    %r13d, %r13d
    jz      1f
    xor     %edi, %edi
    mov     $0x540e, %esi                       // ioctl(0, TIOCSCTTY, 0): the pty on stdin controls it
    xor     %edx, %edx
    mov     $16, %eax
    syscall
    test    %rax, %rax
    jz      1f
    lea     .Lnoctty(%rip), %rsi
    mov     $(.Lnoctty_end - .Lnoctty), %edx
    call    .Lwrite
    jmp     .Lexit_one
1:  add     $16, %rbx
    jmp     .Lexecve
.Lspawned:                                      // report the child's pid: 'p' and 4 bytes, little-endian
    movb    $0x70, (%rsp)
    mov     %eax, 1(%rsp)
    mov     %r14d, %edi
    mov     %rsp, %rsi
    mov     $5, %edx
    mov     $1, %eax                            // write
    syscall
    xor     %edi, %edi
    jmp     .Lexit

.Lexecve:                                       // %rbx -> [path, argv...]
    mov     (%rbx), %r12                        // the program's path (kept for the error message)
    mov     %r12, %rdi
    lea     8(%rbx), %rsi
    mov     %rbp, %rdx
    mov     $59, %eax                           // execve
    syscall
    neg     %eax                                // errno
    mov     %eax, %r13d
    // "taurun: exec " <path> ": " <reason> "\n"
    lea     .Lprefix(%rip), %rsi
    mov     $(.Lprefix_end - .Lprefix), %edx
    call    .Lwrite
    mov     %r12, %rsi
    xor     %edx, %edx
1:  cmpb    $0, (%rsi,%rdx)
    je      2f
    inc     %rdx
    jmp     1b
2:  call    .Lwrite
    lea     .Lsep(%rip), %rsi
    mov     $2, %edx
    call    .Lwrite
    mov     $127, %r14d
    cmp     $13, %r13d                          // EACCES
    jne     3f
    mov     $126, %r14d
    lea     .Leacces(%rip), %rsi
    mov     $(.Leacces_end - .Leacces), %edx
    jmp     6f
3:  cmp     $2, %r13d                           // ENOENT
    jne     4f
    lea     .Lenoent(%rip), %rsi
    mov     $(.Lenoent_end - .Lenoent), %edx
    jmp     6f
4:  cmp     $8, %r13d                           // ENOEXEC
    jne     5f
    lea     .Lenoexec(%rip), %rsi
    mov     $(.Lenoexec_end - .Lenoexec), %edx
    jmp     6f
5:  lea     .Lother(%rip), %rsi
    mov     $(.Lother_end - .Lother), %edx
6:  call    .Lwrite
    mov     %r14d, %edi
    jmp     .Lexit
.Lrefuse:
    lea     .Lrefused(%rip), %rsi
    mov     $(.Lrefused_end - .Lrefused), %edx
    call    .Lwrite
    mov     $127, %edi
    jmp     .Lexit
.Lexit_one:
    mov     $1, %edi
.Lexit:
    mov     $231, %eax                          // exit_group
    syscall
    hlt

// ZF set when argv[0] (via %rbx) equals the NUL-terminated string at %rdi.
.Lis_marker:
    mov     (%rbx), %rsi
1:  movzbl  (%rsi), %eax
    cmpb    (%rdi), %al
    jne     2f
    inc     %rsi
    inc     %rdi
    test    %al, %al
    jnz     1b
2:  ret
// %eax = the decimal number at %rsi.
.Latoi:
    xor     %eax, %eax
1:  movzbl  (%rsi), %ecx
    sub     $0x30, %ecx
    cmp     $9, %ecx
    ja      2f
    imul    $10, %eax, %eax
    add     %ecx, %eax
    inc     %rsi
    jmp     1b
2:  ret
.Lclose_fd:
    mov     %r14d, %edi
    mov     $3, %eax                            // close
    syscall
    ret
// write(2, %rsi, %rdx)
.Lwrite:
    mov     $2, %edi
    mov     $1, %eax                            // write
    syscall
    ret
#else  /* __aarch64__ */
    // At entry: [sp] = argc, then argv[0..argc-1], NULL, envp..., NULL.
    ldr     x22, [sp]                           // argc
    add     x23, sp, #8                         // argv
    add     x24, x23, x22, lsl #3
    add     x24, x24, #8                        // envp: past argv's NULL
    sub     sp, sp, #16                         // scratch
    cmp     x22, #2
    b.lo    .Lrefuse
    adr     x11, .Lmarker_exec
    bl      .Lis_marker
    b.eq    .Lexec_plain
    cmp     x22, #3
    b.lo    .Lrefuse
    ldr     x10, [x23, #8]                      // argv[1]: the fd, in decimal
    bl      .Latoi
    mov     w21, w0
    adr     x11, .Lmarker_wait
    bl      .Lis_marker
    b.eq    .Lwait
    mov     w25, #0                             // 1: the sibling takes the terminal on fd 0
    adr     x11, .Lmarker_spawn
    bl      .Lis_marker
    b.eq    .Lspawn
    mov     w25, #1
    adr     x11, .Lmarker_spawn_tty
    bl      .Lis_marker
    b.eq    .Lspawn
    b       .Lrefuse

.Lexec_plain:
    add     x23, x23, #8
    b       .Lexecve

.Lwait:
    mov     w0, w21
    mov     x1, sp
    mov     x2, #1
    mov     x8, #63                             // read
    svc     #0
    cmn     x0, #4                              // EINTR
    b.eq    .Lwait
    cmp     x0, #1
    b.ne    .Lexit_one
    bl      .Lclose_fd
    add     x23, x23, #16
    b       .Lexecve

.Lspawn:
    mov     x0, #0x8011                         // CLONE_PARENT | SIGCHLD
    mov     x1, #0
    mov     x2, #0
    mov     x3, #0
    mov     x4, #0
    mov     x8, #220                            // clone
    svc     #0
    cmp     x0, #0
    b.lt    .Lexit_one
    b.ne    .Lspawned
    bl      .Lclose_fd
    mov     x8, #157                            // setsid: a session of its own
    svc     #0
    cbz     w25, 1f
    mov     x0, #0
    mov     x1, #0x540e                         // ioctl(0, TIOCSCTTY, 0): the pty on stdin controls it
    mov     x2, #0
    mov     x8, #29
    svc     #0
    cbz     x0, 1f
    adr     x1, .Lnoctty
    mov     x2, #(.Lnoctty_end - .Lnoctty)
    bl      .Lwrite
    b       .Lexit_one
1:  add     x23, x23, #16
    b       .Lexecve
.Lspawned:
    mov     w9, #0x70
    strb    w9, [sp]
    mov     w9, w0
    strb    w9, [sp, #1]
    lsr     w9, w0, #8
    strb    w9, [sp, #2]
    lsr     w9, w0, #16
    strb    w9, [sp, #3]
    lsr     w9, w0, #24
    strb    w9, [sp, #4]
    mov     w0, w21
    mov     x1, sp
    mov     x2, #5
    mov     x8, #64                             // write
    svc     #0
    mov     x0, #0
    b       .Lexit

.Lexecve:                                       // x23 -> [path, argv...]
    ldr     x19, [x23]                          // the program's path
    mov     x0, x19
    add     x1, x23, #8
    mov     x2, x24
    mov     x8, #221                            // execve
    svc     #0
    neg     w20, w0                             // errno
    adr     x1, .Lprefix
    mov     x2, #(.Lprefix_end - .Lprefix)
    bl      .Lwrite
    mov     x1, x19
    mov     x2, #0
1:  ldrb    w3, [x1, x2]
    cbz     w3, 2f
    add     x2, x2, #1
    b       1b
2:  bl      .Lwrite
    adr     x1, .Lsep
    mov     x2, #2
    bl      .Lwrite
    mov     w21, #127
    cmp     w20, #13                            // EACCES
    b.ne    3f
    mov     w21, #126
    adr     x1, .Leacces
    mov     x2, #(.Leacces_end - .Leacces)
    b       6f
3:  cmp     w20, #2                             // ENOENT
    b.ne    4f
    adr     x1, .Lenoent
    mov     x2, #(.Lenoent_end - .Lenoent)
    b       6f
4:  cmp     w20, #8                             // ENOEXEC
    b.ne    5f
    adr     x1, .Lenoexec
    mov     x2, #(.Lenoexec_end - .Lenoexec)
    b       6f
5:  adr     x1, .Lother
    mov     x2, #(.Lother_end - .Lother)
6:  bl      .Lwrite
    mov     w0, w21
    b       .Lexit
.Lrefuse:
    adr     x1, .Lrefused
    mov     x2, #(.Lrefused_end - .Lrefused)
    bl      .Lwrite
    mov     x0, #127
    b       .Lexit
.Lexit_one:
    mov     x0, #1
.Lexit:
    mov     x8, #94                             // exit_group
    svc     #0
    brk     #0

// Z set when argv[0] (via x23) equals the NUL-terminated string at x11. Clobbers x10-x13.
.Lis_marker:
    ldr     x10, [x23]
1:  ldrb    w12, [x10], #1
    ldrb    w13, [x11], #1
    cmp     w12, w13
    b.ne    2f
    cbnz    w12, 1b
    cmp     w12, w12                            // equal: set Z
2:  ret
// w0 = the decimal number at x10.
.Latoi:
    mov     w0, #0
    mov     w14, #10
1:  ldrb    w12, [x10], #1
    sub     w12, w12, #0x30
    cmp     w12, #9
    b.hi    2f
    madd    w0, w0, w14, w12
    b       1b
2:  ret
.Lclose_fd:
    mov     w0, w21
    mov     x8, #57                             // close
    svc     #0
    ret
// write(2, x1, x2)
.Lwrite:
    mov     x0, #2
    mov     x8, #64                             // write
    svc     #0
    ret
#endif

.Lmarker_exec:  .asciz "taurun-exec"
.Lmarker_wait:  .asciz "taurun-wait"
.Lmarker_spawn: .asciz "taurun-spawn"
.Lmarker_spawn_tty: .asciz "taurun-spawn-tty"
.Lnoctty:   .ascii "taurun: exec: cannot make the terminal on stdin the controlling terminal\n"
.Lnoctty_end:
.Lrefused:  .ascii "taurun: exec: refusing to run the runtime's exec trampoline again (is the program /proc/self/exe or a #!/proc/self/exe script?)\n"
.Lrefused_end:
.Lprefix:   .ascii "taurun: exec "
.Lprefix_end:
.Lsep:      .ascii ": "
.Leacces:   .ascii "permission denied\n"
.Leacces_end:
.Lenoent:   .ascii "no such file or directory\n"
.Lenoent_end:
.Lenoexec:  .ascii "exec format error\n"
.Lenoexec_end:
.Lother:    .ascii "exec failed\n"
.Lother_end:
    .balign 8
tr_exec_trampoline_end:

#endif

// No executable stack for the objects that link this file.
#if defined(__x86_64__)
    .section .note.GNU-stack, "", @progbits
#else
    .section .note.GNU-stack, "", %progbits
#endif
