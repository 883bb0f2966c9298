DROP TABLE hits_p3;
