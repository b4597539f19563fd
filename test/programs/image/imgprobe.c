// The image tests' program: reads and tries to change files of the read-only image root.
//   imgprobe cat <path>        prints the file
//   imgprobe stat <path>       prints "type=<octal S_IFMT bits> size=<n> nlink=<n> mtime=<s>" (lstat)
//   imgprobe readlink <path>   prints the link target
//   imgprobe ls <dir>          prints the names, one a line, without . and ..
//   imgprobe write|creat|mkdir|unlink|rmdir|rename|symlink <path>
//                              tries the change; prints "ok" or the errno name
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errname(int e) {
  switch (e) {
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    default: return strerror(e);
  }
}

static int result(int rc) {
  if (rc < 0) { printf("%s\n", errname(errno)); return 1; }
  printf("ok\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: imgprobe <op> <path>\n"); return 2; }
  const char *op = argv[1], *p = argv[2];
  if (strcmp(op, "cat") == 0) {
    int fd = open(p, O_RDONLY);
    if (fd < 0) return result(fd);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    if (n < 0) { printf("\nread: %s\n", errname(errno)); return 1; }
    close(fd);
    return 0;
  }
  if (strcmp(op, "stat") == 0) {
    struct stat st;
    if (lstat(p, &st) < 0) return result(-1);
    printf("type=%o size=%lld nlink=%lu mtime=%lld\n", (unsigned)(st.st_mode & S_IFMT), (long long)st.st_size, (unsigned long)st.st_nlink, (long long)st.st_mtime);
    return 0;
  }
  if (strcmp(op, "readlink") == 0) {
    char buf[256];
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    if (n < 0) return result(-1);
    buf[n] = 0;
    printf("%s\n", buf);
    return 0;
  }
  if (strcmp(op, "ls") == 0) {
    DIR *d = opendir(p);
    if (!d) return result(-1);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) printf("%s\n", e->d_name);
    }
    closedir(d);
    return 0;
  }
  if (strcmp(op, "write") == 0) return result(open(p, O_WRONLY));
  if (strcmp(op, "creat") == 0) return result(open(p, O_WRONLY | O_CREAT, 0644));
  if (strcmp(op, "mkdir") == 0) return result(mkdir(p, 0755));
  if (strcmp(op, "unlink") == 0) return result(unlink(p));
  if (strcmp(op, "rmdir") == 0) return result(rmdir(p));
  if (strcmp(op, "rename") == 0) return result(rename(p, "/renamed"));
  if (strcmp(op, "symlink") == 0) return result(symlink("target", p));
  fprintf(stderr, "imgprobe: unknown op %s\n", op);
  return 2;
}
