/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The header line of the CSV export (Session1.Export("csv")), which
 * rollerctl export also prints alone when no session matches; a clinic's
 * export (Manager1.ExportSessions) has a room column last.
 */
#pragma once

#define RD_CSV_COLUMNS \
	"id,roller,address,area,start,clock_set,duration_ms,needle_um,strokes," \
	"force_mean_cn,force_max_cn,in_band_permille,source,record_id,end_reason," \
	"frames_lost,directions,grid_columns,grid_rows,passes,trace_period_ms,trace," \
	"notes_topical,notes_numbing,notes_redness,notes_text,notes_cleaned,start_time,person"
#define RD_CSV_HEADER RD_CSV_COLUMNS "\r\n"
#define RD_CSV_ROOM_HEADER RD_CSV_COLUMNS ",room\r\n"
