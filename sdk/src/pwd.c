/* The user and group databases of a single-user system: root only. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

static char root_name[] = "root", root_pw[] = "x", root_gecos[] = "root", root_dir[] = "/root", root_shell[] = "/bin/sh";
static struct passwd root_pwd = { root_name, root_pw, 0, 0, root_gecos, root_dir, root_shell };
static char *root_members[] = { NULL };
static struct group root_grp = { root_name, root_pw, 0, root_members };

struct passwd *getpwuid(uid_t uid)
{
	return uid == 0 ? &root_pwd : NULL;
}

struct passwd *getpwnam(const char *name)
{
	return strcmp(name, "root") == 0 ? &root_pwd : NULL;
}

static int copy_pwd(struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	const char *src[] = { root_name, root_pw, root_gecos, root_dir, root_shell };
	char **dst[] = { &pw->pw_name, &pw->pw_passwd, &pw->pw_gecos, &pw->pw_dir, &pw->pw_shell };
	size_t need = 0;
	for (int i = 0; i < 5; i++) need += strlen(src[i]) + 1;
	*res = NULL;
	if (need > size) return ERANGE;
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(src[i]) + 1;
		memcpy(buf, src[i], n);
		*dst[i] = buf;
		buf += n;
	}
	pw->pw_uid = 0;
	pw->pw_gid = 0;
	*res = pw;
	return 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	if (uid != 0) {
		*res = NULL;
		return 0;
	}
	return copy_pwd(pw, buf, size, res);
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	if (strcmp(name, "root") != 0) {
		*res = NULL;
		return 0;
	}
	return copy_pwd(pw, buf, size, res);
}

static int pw_next;
void setpwent(void) { pw_next = 0; }
void endpwent(void) { pw_next = 0; }
struct passwd *getpwent(void) { return pw_next++ == 0 ? &root_pwd : NULL; }

struct group *getgrgid(gid_t gid)
{
	return gid == 0 ? &root_grp : NULL;
}

struct group *getgrnam(const char *name)
{
	return strcmp(name, "root") == 0 ? &root_grp : NULL;
}

static int copy_grp(struct group *gr, char *buf, size_t size, struct group **res)
{
	*res = NULL;
	if (size < sizeof(char *) + sizeof root_name + sizeof root_pw) return ERANGE;
	char **mem = (char **)(void *)buf;
	mem[0] = NULL;
	char *p = buf + sizeof(char *);
	memcpy(p, root_name, sizeof root_name);
	gr->gr_name = p;
	p += sizeof root_name;
	memcpy(p, root_pw, sizeof root_pw);
	gr->gr_passwd = p;
	gr->gr_gid = 0;
	gr->gr_mem = mem;
	*res = gr;
	return 0;
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **res)
{
	if (gid != 0) {
		*res = NULL;
		return 0;
	}
	return copy_grp(gr, buf, size, res);
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **res)
{
	if (strcmp(name, "root") != 0) {
		*res = NULL;
		return 0;
	}
	return copy_grp(gr, buf, size, res);
}

static int gr_next;
void setgrent(void) { gr_next = 0; }
void endgrent(void) { gr_next = 0; }
struct group *getgrent(void) { return gr_next++ == 0 ? &root_grp : NULL; }

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	(void)user;
	int n = group == 0 ? 1 : 2;
	int fit = *ngroups >= n;
	if (*ngroups >= 1) groups[0] = group;
	if (n == 2 && *ngroups >= 2) groups[1] = 0;
	*ngroups = n;
	return fit ? n : -1;
}

int initgroups(const char *user, gid_t group)
{
	(void)user, (void)group;
	return 0;
}

char *getlogin(void)
{
	return root_name;
}

int getlogin_r(char *name, size_t size)
{
	if (size < sizeof root_name) return ERANGE;
	memcpy(name, root_name, sizeof root_name);
	return 0;
}
