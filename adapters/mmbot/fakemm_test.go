package mmbot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

// fakeMM is the part of Mattermost's REST API v4 the Sender and the team
// look-up use, in memory: posts are kept per channel with their props (and
// served back newest first, as GET /channels/{id}/posts does). Tests assert
// on what it received (posts, patches, uploads) and make it fail on
// purpose (fail).
type fakeMM struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	botID    string
	users    map[string]string // username → id
	locales  map[string]string // username → locale, when set
	teams    map[string]string // team name → id
	channels map[string]string // team id + "/" + name → channel id
	members  map[string]bool   // channel id + "/" + user id
	public   map[string]bool   // channel ids anyone may join
	dms      map[string]string // channel id → user id
	posts    []*model.Post     // in order of creation
	patches  []patch
	uploads  []string // file names
	calls    []string // "METHOD path"
	pending  map[string]string
	// staleDMs makes a direct channel the bot opens missing from
	// Mattermost's cache of the bot's memberships, as a race on the real
	// server does: posts there are 403 until the bot writes its
	// notification settings of the channel (which empties that cache).
	staleDMs bool
	stale    map[string]bool // channel ids missing from that cache
	// replies are what came to commands' response URLs
	// (POST /hooks/commands/{id}, which takes no token), by id; a
	// response URL takes 5 posts, as Mattermost's does.
	replies []hookReply
	// fail, when set, may answer a request instead of the fake: it returns
	// a status (0: go on) and headers to add.
	fail func(r *http.Request) (int, http.Header)
	seq  int
}

type patch struct {
	PostID  string
	Props   model.StringInterface // nil when the patch left them
	Message *string               // nil when the patch left it
}

func newFakeMM(t *testing.T) *fakeMM {
	f := &fakeMM{
		t:        t,
		botID:    "botuserid00000000000000000",
		users:    map[string]string{},
		locales:  map[string]string{},
		teams:    map[string]string{},
		channels: map[string]string{},
		members:  map[string]bool{},
		public:   map[string]bool{},
		dms:      map[string]string{},
		pending:  map[string]string{},
		stale:    map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/users/me", f.me)
	mux.HandleFunc("GET /api/v4/users/username/{name}", f.userByName)
	mux.HandleFunc("GET /api/v4/users/{id}", f.userByID)
	mux.HandleFunc("GET /api/v4/teams/name/{name}", f.teamByName)
	mux.HandleFunc("GET /api/v4/teams/{team}/channels/name/{name}", f.channelByName)
	mux.HandleFunc("POST /api/v4/channels/direct", f.direct)
	mux.HandleFunc("POST /api/v4/channels/{id}/members", f.join)
	mux.HandleFunc("POST /api/v4/posts", f.createPost)
	mux.HandleFunc("PUT /api/v4/posts/{id}/patch", f.patchPost)
	mux.HandleFunc("GET /api/v4/channels/{id}/posts", f.channelPosts)
	mux.HandleFunc("POST /api/v4/files", f.upload)
	mux.HandleFunc("PUT /api/v4/channels/{id}/members/{user}/notify_props", f.notifyProps)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hooks/commands/") {
			f.hook(w, r)
			return
		}
		if !strings.EqualFold(r.Header.Get("Authorization"), "Bearer bot-token") {
			f.appError(w, http.StatusUnauthorized, "api.context.session_expired.app_error")
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path)
		fail := f.fail
		f.mu.Unlock()
		if fail != nil {
			if status, h := fail(r); status != 0 {
				for k, v := range h {
					w.Header()[k] = v
				}
				f.appError(w, status, "fake.failure")
				return
			}
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMM) URL() string { return f.srv.URL }

// addUser, addTeam and addChannel seed the fake. A user's id is "user",
// the letters and digits of the name, and zeros: 26 letters and digits, as
// Mattermost's ids are.
func (f *fakeMM) addUser(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	alnum := strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, name)
	id := fmt.Sprintf("user%-22s", alnum)[:26]
	id = strings.ReplaceAll(id, " ", "0")
	f.users[name] = id
	return id
}

// setLocale sets the locale of a user's account, as in their settings.
func (f *fakeMM) setLocale(name, locale string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locales[name] = locale
}

// addUserID seeds a user with a given id.
func (f *fakeMM) addUserID(name, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[name] = id
}

// idOf is the user id of a username, as seeded.
func (f *fakeMM) idOf(username string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.users[username]
	if !ok {
		f.t.Fatalf("fake Mattermost has no user %q", username)
	}
	return id
}

func (f *fakeMM) addTeam(name, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.teams[name] = id
}

func (f *fakeMM) addChannel(teamID, name string, public, botMember bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := "chan" + name
	f.channels[teamID+"/"+name] = id
	f.public[id] = public
	f.members[id+"/"+f.botID] = botMember
	return id
}

func (f *fakeMM) setFail(fn func(r *http.Request) (int, http.Header)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

func (f *fakeMM) nextID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%0*d", prefix, 26-len(prefix), f.seq)
}

func (f *fakeMM) appError(w http.ResponseWriter, status int, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "message": "fake " + id, "status_code": status})
}

func (f *fakeMM) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeMM) me(w http.ResponseWriter, _ *http.Request) {
	f.reply(w, 200, &model.User{Id: f.botID, Username: "hulpbot", IsBot: true})
}

func (f *fakeMM) userByName(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	id, ok := f.users[r.PathValue("name")]
	f.mu.Unlock()
	if !ok {
		f.appError(w, http.StatusNotFound, "app.user.missing_account.const")
		return
	}
	f.reply(w, 200, &model.User{Id: id, Username: r.PathValue("name")})
}

func (f *fakeMM) userByID(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, id := range f.users {
		if id == r.PathValue("id") {
			f.reply(w, 200, &model.User{Id: id, Username: name, Locale: f.locales[name]})
			return
		}
	}
	f.appError(w, http.StatusNotFound, "app.user.missing_account.const")
}

func (f *fakeMM) teamByName(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	id, ok := f.teams[r.PathValue("name")]
	f.mu.Unlock()
	if !ok {
		f.appError(w, http.StatusNotFound, "app.team.get_by_name.missing.app_error")
		return
	}
	f.reply(w, 200, &model.Team{Id: id, Name: r.PathValue("name")})
}

func (f *fakeMM) channelByName(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	id, ok := f.channels[r.PathValue("team")+"/"+r.PathValue("name")]
	f.mu.Unlock()
	if !ok {
		f.appError(w, http.StatusNotFound, "app.channel.get_by_name.missing.app_error")
		return
	}
	f.reply(w, 200, &model.Channel{Id: id, Name: r.PathValue("name"), TeamId: r.PathValue("team")})
}

func (f *fakeMM) direct(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil || len(ids) != 2 {
		f.appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	known := map[string]bool{f.botID: true}
	for _, id := range f.users {
		known[id] = true
	}
	if !known[ids[0]] || !known[ids[1]] || ids[0] != f.botID {
		f.appError(w, http.StatusBadRequest, "api.channel.create_direct_channel.invalid_user.app_error")
		return
	}
	id := "dm" + ids[1][:24]
	if _, ok := f.dms[id]; !ok && f.staleDMs {
		f.stale[id] = true
	}
	f.dms[id] = ids[1]
	f.members[id+"/"+f.botID] = true
	f.reply(w, http.StatusCreated, &model.Channel{Id: id, Type: model.ChannelTypeDirect})
}

func (f *fakeMM) join(w http.ResponseWriter, r *http.Request) {
	var m model.ChannelMember
	_ = json.NewDecoder(r.Body).Decode(&m)
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("id")
	if !f.public[id] {
		f.appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	f.members[id+"/"+m.UserId] = true
	f.reply(w, http.StatusCreated, &model.ChannelMember{ChannelId: id, UserId: m.UserId})
}

func (f *fakeMM) createPost(w http.ResponseWriter, r *http.Request) {
	var p model.Post
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		f.appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.PendingPostId != "" {
		if id, ok := f.pending[p.PendingPostId]; ok {
			for _, q := range f.posts {
				if q.Id == id {
					f.reply(w, http.StatusCreated, q)
					return
				}
			}
		}
	}
	if !f.members[p.ChannelId+"/"+f.botID] || f.stale[p.ChannelId] {
		f.appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	p.Id = f.nextID("post")
	p.UserId = f.botID
	f.posts = append(f.posts, &p)
	if p.PendingPostId != "" {
		f.pending[p.PendingPostId] = p.Id
	}
	f.reply(w, http.StatusCreated, &p)
}

// notifyProps is PUT /channels/{id}/members/{user}/notify_props: the bot
// may write its own; Mattermost then empties the cache of its memberships.
func (f *fakeMM) notifyProps(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, user := r.PathValue("id"), r.PathValue("user")
	if user != f.botID || !f.members[id+"/"+user] {
		f.appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	delete(f.stale, id)
	f.reply(w, 200, map[string]string{"status": "OK"})
}

// hookReply is one post to a command's response URL.
type hookReply struct {
	ID   string
	Resp model.CommandResponse
}

// hook is POST /hooks/commands/{id}: a command's response URL, good for 5
// posts; each becomes a new ephemeral post for the one who typed.
func (f *fakeMM) hook(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/hooks/commands/")
	var resp model.CommandResponse
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&resp) != nil {
		f.appError(w, http.StatusBadRequest, "app.command_webhook.handle_command_webhook.parse")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	used := 0
	for _, h := range f.replies {
		if h.ID == id {
			used++
		}
	}
	if !model.IsValidId(id) || used >= 5 {
		f.appError(w, http.StatusBadRequest, "app.command_webhook.try_use.invalid")
		return
	}
	f.replies = append(f.replies, hookReply{ID: id, Resp: resp})
	w.WriteHeader(http.StatusOK)
}

func (f *fakeMM) hookReplies() []hookReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hookReply(nil), f.replies...)
}

func (f *fakeMM) patchPost(w http.ResponseWriter, r *http.Request) {
	var pp model.PostPatch
	if err := json.NewDecoder(r.Body).Decode(&pp); err != nil {
		f.appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("id")
	for _, p := range f.posts {
		if p.Id == id {
			rec := patch{PostID: id, Message: pp.Message}
			if pp.Props != nil {
				p.SetProps(*pp.Props)
				rec.Props = *pp.Props
			}
			if pp.Message != nil {
				p.Message = *pp.Message
			}
			f.patches = append(f.patches, rec)
			f.reply(w, 200, p)
			return
		}
	}
	f.appError(w, http.StatusNotFound, "app.post.get.app_error")
}

// channelPosts is GET /channels/{id}/posts: a page of the channel's posts,
// newest first, to a member of the channel.
func (f *fakeMM) channelPosts(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || perPage <= 0 {
		perPage = 60
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("id")
	if !f.members[id+"/"+f.botID] {
		f.appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	list := model.NewPostList()
	skip := page * perPage
	for i := len(f.posts) - 1; i >= 0 && len(list.Order) < perPage; i-- {
		p := f.posts[i]
		if p.ChannelId != id {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		list.AddPost(p.Clone())
		list.AddOrder(p.Id)
	}
	f.reply(w, http.StatusOK, list)
}

func (f *fakeMM) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		f.appError(w, http.StatusBadRequest, "api.file.upload_file.bad_parse.app_error")
		return
	}
	fh := r.MultipartForm.File["files"]
	if len(fh) != 1 {
		f.appError(w, http.StatusBadRequest, "api.file.upload_file.bad_parse.app_error")
		return
	}
	file, _ := fh[0].Open()
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, fh[0].Filename+":"+strconv.Itoa(len(data)))
	f.reply(w, http.StatusCreated, &model.FileUploadResponse{FileInfos: []*model.FileInfo{{Id: f.nextID("file"), Name: fh[0].Filename}}})
}

// postsTo lists the posts made in a channel, oldest first.
func (f *fakeMM) postsTo(channelID string) []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*model.Post
	for _, p := range f.posts {
		if p.ChannelId == channelID {
			out = append(out, p.Clone())
		}
	}
	return out
}

// dmOf is the direct channel id of a username (the fake's scheme).
func (f *fakeMM) dmOf(username string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return "dm" + f.users[username][:24]
}

func (f *fakeMM) allPosts() []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*model.Post, len(f.posts))
	for i, p := range f.posts {
		out[i] = p.Clone()
	}
	return out
}

func (f *fakeMM) patchList() []patch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]patch(nil), f.patches...)
}

func (f *fakeMM) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

// actions are the buttons of a post as Mattermost stored them.
func actions(p *model.Post) []*model.PostAction {
	var out []*model.PostAction
	for _, a := range p.Attachments() {
		out = append(out, a.Actions...)
	}
	return out
}
