/* The Python client's SIGBUS handler (clients/python/conflux.py, "Truncation"),
 * x86-64 System V, position independent, no libc: one page holds this code and,
 * at fixed offsets, the data it reads. on_sigbus(signal, info, context):
 * a memory fault (si_code > 0) at an address inside a mapping of the table is
 * answered by mapping anonymous zero pages over that mapping (mmap, MAP_FIXED),
 * marking its entry truncated, counting it, and returning (the access is
 * repeated on zeros). Any other SIGBUS reinstates the action that was there
 * before (rt_sigaction) and, if a process sent it, sends it again: a fault then
 * repeats into that action.
 *   page + 0x100  the previous action, as the kernel stores it (32 bytes)
 *   page + 0x120  how many entries are marked truncated (8 bytes)
 *   page + 0x200  128 entries of 24 bytes: start (0 = free), length, truncated */
        .intel_syntax noprefix
        .text

on_sigbus:
        push rsi
        test rsi, rsi
        jz 3f
        mov eax, dword ptr [rsi + 8]          /* si_code */
        test eax, eax
        jle 3f
        mov rax, qword ptr [rsi + 16]         /* si_addr */
        lea r8, [rip + on_sigbus + 0x200]
        mov ecx, 128
1:      mov r9, qword ptr [r8]
        test r9, r9
        jz 2f
        mov r10, rax
        sub r10, r9
        cmp r10, qword ptr [r8 + 8]
        jb 4f
2:      add r8, 24
        dec ecx
        jnz 1b
3:      mov edi, 7                            /* rt_sigaction(SIGBUS, &previous, NULL, 8) */
        lea rsi, [rip + on_sigbus + 0x100]
        xor edx, edx
        mov r10d, 8
        mov eax, 13
        syscall
        pop rsi
        test rsi, rsi
        jz 5f
        mov eax, dword ptr [rsi + 8]
        test eax, eax
        jg 5f
        mov eax, 39                           /* sent by a process: kill(getpid(), SIGBUS), delivered on return */
        syscall
        mov edi, eax
        mov esi, 7
        mov eax, 62
        syscall
5:      ret
4:      push r8                               /* mmap(start, length, READ|WRITE, PRIVATE|FIXED|ANONYMOUS, -1, 0) */
        mov rdi, r9
        mov rsi, qword ptr [r8 + 8]
        mov edx, 3
        mov r10d, 0x32
        mov r8, -1
        xor r9d, r9d
        mov eax, 9
        syscall
        pop r8
        cmp rax, -4095
        jae 3b
        mov qword ptr [r8 + 16], 1
        lock inc qword ptr [rip + on_sigbus + 0x120]
        pop rsi
        ret
