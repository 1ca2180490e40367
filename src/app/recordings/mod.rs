//! The Recordings tab: every game in bar-live's recordings folder and in BAR's own replay folders
//! (`demos/`), each folder a section of its own, from cached indexes; filtered by map, player and date,
//! sorted by any column; open (recordings and replays with statistics) or delete (recordings). The
//! folders are read on background threads ([`folder`]), a cold folder of replays a little at a time
//! with its progress shown.

mod folder;
mod table;

use std::path::Path;

use egui::{Color32, RichText, Ui};

use super::Request;
use bar_live_core::index::{Filter, Folder, SortKey};
use bar_live_core::time::parse_utc_date;
use folder::FolderList;

pub struct RecordingsTab {
    /// One per folder of games, in the app's order (recordings first).
    lists: Vec<FolderList>,
    /// The section shown (index into `lists`).
    selected: usize,
    /// The user picked the section (else an empty recordings folder gives way to BAR's replays).
    picked: bool,
    filter_map: String,
    filter_player: String,
    filter_from: String,
    filter_to: String,
    sort: SortKey,
    ascending: bool,
}

impl Default for RecordingsTab {
    fn default() -> Self {
        RecordingsTab {
            lists: Vec::new(),
            selected: 0,
            picked: false,
            filter_map: String::new(),
            filter_player: String::new(),
            filter_from: String::new(),
            filter_to: String::new(),
            sort: SortKey::Date,
            ascending: false,
        }
    }
}

impl RecordingsTab {
    /// Re-read the folders next time the tab is drawn.
    pub fn mark_stale(&mut self) {
        for l in &mut self.lists {
            l.stale = true;
        }
    }

    /// Keeps one list per folder: new folders get a list, gone ones lose theirs.
    fn sync(&mut self, folders: &[Folder]) {
        if self.lists.len() == folders.len()
            && self.lists.iter().zip(folders).all(|(l, f)| l.folder == *f)
        {
            return;
        }
        let mut old = std::mem::take(&mut self.lists);
        self.lists = folders
            .iter()
            .map(|f| match old.iter().position(|l| l.folder == *f) {
                Some(i) => old.swap_remove(i),
                None => FolderList::new(f.clone()),
            })
            .collect();
        self.selected = self.selected.min(self.lists.len().saturating_sub(1));
        // Lists whose folder went: their pending deletes still happen (off this thread).
        for gone in old {
            let _ = gone.retire();
        }
    }

    /// Until the user picks a section: the first folder that has games, once the ones before it
    /// are known to be empty (a new user with BAR replays and no recordings sees the replays).
    fn default_section(&mut self) {
        if self.picked {
            return;
        }
        for (i, l) in self.lists.iter().enumerate() {
            match &l.index {
                Some(index) if !index.entries.is_empty() => {
                    self.selected = i;
                    return;
                }
                Some(_) if l.pending() == 0 && !l.stale => continue,
                // Not read yet: wait before choosing past it.
                _ => return,
            }
        }
    }

    fn filter(&self) -> Filter {
        Filter {
            map: self.filter_map.trim().to_owned(),
            player: self.filter_player.trim().to_owned(),
            from_unix_ms: parse_utc_date(&self.filter_from),
            // The whole "to" day is included.
            to_unix_ms: parse_utc_date(&self.filter_to).map(|ms| ms + 86_400_000 - 1),
        }
    }
}

/// A section's name: "bar-live recordings", or "BAR replays" with the folder's parent (the data
/// folder) when there are several.
fn section_label(list: &FolderList, several_bar: bool) -> String {
    let count = list
        .index
        .as_ref()
        .map(|i| i.entries.len().to_string())
        .unwrap_or_else(|| "…".into());
    if !list.folder.is_foreign() {
        return format!("bar-live recordings ({count})");
    }
    if several_bar {
        let parent = list
            .folder
            .dir
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("BAR replays: {parent} ({count})")
    } else {
        format!("BAR replays ({count})")
    }
}

/// The tab. `folders`: bar-live's recordings folder first, then BAR's replay folders found.
pub fn recordings_ui(
    ui: &mut Ui,
    tab: &mut RecordingsTab,
    folders: &[Folder],
    requests: &mut Vec<Request>,
) {
    tab.sync(folders);
    for l in &mut tab.lists {
        if let Some(problem) = l.poll() {
            requests.push(Request::Notice(problem));
        }
        // Every folder is read in the background, so the other sections' counts are right.
        l.tick();
    }
    if tab.lists.iter().any(FolderList::busy) {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(50));
    }
    tab.default_section();
    let several_bar = tab.lists.iter().filter(|l| l.folder.is_foreign()).count() > 1;
    ui.horizontal(|ui| {
        for (i, l) in tab.lists.iter().enumerate() {
            if ui
                .selectable_label(tab.selected == i, section_label(l, several_bar))
                .on_hover_text(l.folder.dir.display().to_string())
                .clicked()
            {
                tab.selected = i;
                tab.picked = true;
            }
        }
        if ui
            .button("⟳ Refresh")
            .on_hover_text("Read the folders again, and look again for BAR's replay folders")
            .clicked()
        {
            tab.mark_stale();
            requests.push(Request::FindGameFolders);
        }
    });
    if !tab.lists.iter().any(|l| l.folder.is_foreign()) {
        ui.label(
            RichText::new(
                "No BAR replay folder found: BAR's demos/ folder is listed here once the Widget tab \
                 knows BAR's data folder.",
            )
            .weak(),
        );
    }
    filters_ui(ui, tab);
    let filter = tab.filter();
    let (sort, ascending) = (tab.sort, tab.ascending);
    let Some(list) = tab.lists.get_mut(tab.selected) else {
        return;
    };
    list.update_view(&filter, sort, ascending);
    let list = &*list;
    ui.horizontal(|ui| {
        ui.label(RichText::new(list.folder.dir.display().to_string()).weak());
        if list.busy() {
            ui.spinner();
        }
    });
    let Some(index) = &list.index else {
        ui.label("Reading the folder…");
        return;
    };
    if let Some(e) = &index.error {
        ui.colored_label(Color32::from_rgb(220, 60, 60), e);
    }
    let pending = list.pending();
    if index.entries.is_empty() && pending == 0 {
        ui.add_space(20.0);
        if list.folder.is_foreign() {
            ui.label("No replays in this folder yet. BAR writes one for every game it plays.");
        } else {
            ui.label("No recordings yet. Every connected game is recorded here automatically (Settings > Recordings).");
        }
        return;
    }
    let rows = list.rows();
    let mut status = format!("{} of {} games", rows.len(), index.entries.len());
    if pending > 0 {
        status.push_str(&format!(" · reading {pending} more (newest first)…"));
    }
    let checking = list.checking();
    if checking > 0 {
        status.push_str(&format!(" · checking {checking} for damage…"));
    }
    ui.label(RichText::new(status).weak());
    let clicked_sort = table::header_ui(ui, sort, ascending);
    ui.separator();
    let deletable = !list.folder.is_foreign();
    let mut delete = None;
    let row_h = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical().show_rows(ui, row_h, rows.len(), |ui, range| {
        for &i in &rows[range] {
            let e = &index.entries[i];
            ui.horizontal(|ui| {
                table::row_ui(ui, e, deletable, requests, &mut delete);
            });
        }
    });
    if let Some(p) = delete
        && let Some(list) = tab.lists.get_mut(tab.selected)
    {
        list.delete(p);
    }
    if let Some(k) = clicked_sort {
        if tab.sort == k {
            tab.ascending = !tab.ascending;
        } else {
            tab.sort = k;
            tab.ascending = matches!(k, SortKey::Map | SortKey::Players | SortKey::Winner);
        }
    }
}

fn filters_ui(ui: &mut Ui, tab: &mut RecordingsTab) {
    ui.horizontal(|ui| {
        ui.label("Map");
        ui.add(
            egui::TextEdit::singleline(&mut tab.filter_map)
                .desired_width(140.0)
                .hint_text("any"),
        );
        ui.label("Player");
        ui.add(
            egui::TextEdit::singleline(&mut tab.filter_player)
                .desired_width(140.0)
                .hint_text("any"),
        );
        ui.label("From");
        date_edit_ui(ui, &mut tab.filter_from);
        ui.label("to");
        date_edit_ui(ui, &mut tab.filter_to);
        if ui.button("Clear").clicked() {
            tab.filter_map.clear();
            tab.filter_player.clear();
            tab.filter_from.clear();
            tab.filter_to.clear();
        }
    });
}

/// A `YYYY-MM-DD` field, red while it holds something that is not a date.
fn date_edit_ui(ui: &mut Ui, text: &mut String) {
    let bad = !text.trim().is_empty() && parse_utc_date(text).is_none();
    let mut edit = egui::TextEdit::singleline(text)
        .desired_width(90.0)
        .hint_text("YYYY-MM-DD");
    if bad {
        edit = edit.text_color(Color32::from_rgb(220, 60, 60));
    }
    ui.add(edit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::index::IndexEntry;
    use bar_live_core::index::RecordingIndex;

    fn entry() -> IndexEntry {
        IndexEntry {
            path: "/demos/a.sdfz".into(),
            modified: None,
            size: 1,
            summary: Err("unreadable".into()),
            checked: true,
            replay: None,
        }
    }

    #[test]
    fn an_empty_recordings_folder_gives_way_to_bars_replays_until_the_user_picks() {
        let folders = [
            Folder::own(Path::new("/rec")),
            Folder::foreign(Path::new("/demos"), Path::new("/data")),
        ];
        let mut tab = RecordingsTab::default();
        tab.sync(&folders);
        tab.default_section();
        assert_eq!(tab.selected, 0, "nothing read yet");
        tab.lists[0].index = Some(RecordingIndex::default());
        tab.lists[0].stale = false;
        tab.default_section();
        assert_eq!(tab.selected, 0, "the replays are not read yet");
        let mut replays = RecordingIndex::default();
        replays.entries.push(entry());
        tab.lists[1].index = Some(replays);
        tab.default_section();
        assert_eq!(tab.selected, 1);
        // The user's pick stands; folders found again keep their lists.
        tab.selected = 0;
        tab.picked = true;
        tab.default_section();
        assert_eq!(tab.selected, 0);
        // Folders found again in another order, with a new one: each keeps its list (and what it read).
        let more = [
            folders[1].clone(),
            Folder::foreign(Path::new("/other/demos"), Path::new("/data")),
            folders[0].clone(),
        ];
        tab.sync(&more);
        assert_eq!(tab.lists.len(), 3);
        assert_eq!(tab.lists[0].folder, folders[1]);
        assert_eq!(
            tab.lists[0].index.as_ref().map(|i| i.entries.len()),
            Some(1)
        );
        assert!(tab.lists[1].index.is_none(), "a new folder starts unread");
        assert!(tab.lists[2].index.is_some() && !tab.lists[2].stale);
    }
}
